import selfsigned from 'selfsigned';

// Self-signed, CA-less certificates for the loopback test servers. Clients
// trust one by passing its PEM as an extra CA, exactly as an operator would.

export type TestCert = { key: string; cert: string };

export function createTestCert(commonName = 'localhost'): TestCert {
  const pems = selfsigned.generate([{ name: 'commonName', value: commonName }], {
    keySize: 2048,
    days: 2,
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: commonName },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}

let shared: TestCert | undefined;

/** One certificate per test file: RSA key generation in pure JS takes a moment. */
export function localhostCert(): TestCert {
  shared ??= createTestCert();
  return shared;
}
