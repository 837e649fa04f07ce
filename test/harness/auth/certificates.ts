import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TokenCertificates {
  /** PEM of the CA: the registry's `rootcertbundle`. */
  rootBundleFile: string;
  /** The signing certificate, DER in base64, as a JWT `x5c` entry wants it. */
  leafDerBase64: string;
  /** PKCS#8 PEM of the leaf's P-256 key, for ES256. */
  leafKeyPem: string;
}

/**
 * A CA and a leaf it signed, made with the openssl CLI in `dir`: the registry trusts the CA
 * (rootcertbundle), the token issuer signs with the leaf's key and sends the leaf in `x5c`.
 */
export async function makeTokenCertificates(dir: string): Promise<TokenCertificates> {
  const file = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => run('openssl', args);

  await openssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', file('ca.key'));
  await openssl(
    'req',
    '-x509',
    '-new',
    '-key',
    file('ca.key'),
    '-subj',
    '/CN=container-sync test CA',
    '-days',
    '2',
    '-out',
    file('ca.pem'),
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign',
  );
  await openssl(
    'genpkey',
    '-algorithm',
    'EC',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-out',
    file('leaf.key'),
  );
  await openssl(
    'req',
    '-new',
    '-key',
    file('leaf.key'),
    '-subj',
    '/CN=token issuer',
    '-out',
    file('leaf.csr'),
  );
  await openssl(
    'x509',
    '-req',
    '-in',
    file('leaf.csr'),
    '-CA',
    file('ca.pem'),
    '-CAkey',
    file('ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-outform',
    'DER',
    '-out',
    file('leaf.der'),
  );

  return {
    rootBundleFile: file('ca.pem'),
    leafDerBase64: (await readFile(file('leaf.der'))).toString('base64'),
    leafKeyPem: await readFile(file('leaf.key'), 'utf8'),
  };
}
