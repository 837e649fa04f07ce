import { LineCounter, parseDocument } from 'yaml';
import type { ConfigProblem } from './config-problem';

/**
 * The YAML text as plain data, or its syntax problems with line and column. yaml's defaults do two
 * things we rely on: a repeated key is an error (the later one would silently win otherwise), and
 * the YAML 1.2 core schema keeps `yes` and `on` as strings, so `mirror: yes` is refused by the
 * schema rather than read as true. Messages are built here without yaml's source excerpt, which
 * could quote a secret pasted on a nearby line.
 */
export function parseConfigYaml(text: string): { value: unknown } | { problems: ConfigProblem[] } {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });

  if (document.errors.length > 0) {
    const problems = document.errors.map((error) => {
      const { line, col } = lineCounter.linePos(error.pos[0]);
      const what =
        error.code === 'MULTIPLE_DOCS' ? 'expected one YAML document, found more' : error.message;
      return { path: [], message: `line ${line}, column ${col}: ${what}` };
    });
    return { problems };
  }
  if (document.contents === null) {
    return { problems: [{ path: [], message: 'the file is empty; expected a repositories list' }] };
  }

  // Aliases resolve here; an undefined one or too many of them (an alias bomb) throws.
  try {
    return { value: document.toJS({ maxAliasCount: 100 }) };
  } catch (err) {
    return { problems: [{ path: [], message: err instanceof Error ? err.message : String(err) }] };
  }
}
