import { createServer } from 'node:net';

/**
 * Asks the kernel for a free loopback port by listening on port 0, then releases it. Another
 * process can take the port between the close and the caller's bind; callers that start servers
 * on it retry on "address in use" rather than trusting the port blindly.
 */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('listening on port 0 gave no TCP address'));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}
