/** Unit specs are pure; integration suites start a real docker-registry and use a real database. */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.spec.ts'],
  setupFiles: ['reflect-metadata'],
  testTimeout: 120000,
};
