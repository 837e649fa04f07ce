import { boundHeapGrowth } from '../../../src/cli/heap-growth';

describe('boundHeapGrowth', () => {
  it('sets the growth unless the node options set it, in either spelling', () => {
    expect(boundHeapGrowth(['--heap-growing-percent=20'])).toBe(false);
    expect(boundHeapGrowth(['--inspect', '--heap_growing_percent=300'])).toBe(false);
    expect(boundHeapGrowth(['--max-old-space-size=512'])).toBe(true);
    expect(boundHeapGrowth([])).toBe(true);
  });
});
