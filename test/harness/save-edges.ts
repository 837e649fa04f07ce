import { type AnyDc, ManifestDc, SignatureDc, TagDc } from '../../src/pipeline/declarative-content';

/** One dependency of a saved item, as `label dependency-key -> dependent-key` reads. */
export interface SaveEdge {
  label: 'config' | 'layer' | 'child' | 'tag' | 'signature';
  dependency: AnyDc;
  dependent: AnyDc;
}

/**
 * The dependencies of a batch's items that were DCs of the run, read when the batch is saved: a
 * saved manifest lets go of its parts, so they cannot be read back after the run.
 */
export function saveEdges(items: readonly AnyDc[]): SaveEdge[] {
  const edges: SaveEdge[] = [];
  const add = (label: SaveEdge['label'], dependency: AnyDc, dependent: AnyDc) =>
    edges.push({ label, dependency, dependent });
  for (const dc of items) {
    if (dc instanceof ManifestDc) {
      if (dc.extra.configBlob) add('config', dc.extra.configBlob, dc);
      for (const layer of new Set(dc.extra.layerBlobs)) add('layer', layer, dc);
      for (const { child } of dc.extra.entries) {
        if (child instanceof ManifestDc) add('child', child, dc);
      }
    } else if (dc instanceof TagDc && dc.manifest instanceof ManifestDc) {
      add('tag', dc.manifest, dc);
    } else if (dc instanceof SignatureDc && dc.manifest instanceof ManifestDc) {
      add('signature', dc.manifest, dc);
    }
  }
  return edges;
}
