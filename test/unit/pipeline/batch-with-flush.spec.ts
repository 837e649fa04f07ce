import { TestScheduler } from 'rxjs/testing';
import { batchWithFlush } from '../../../src/pipeline/batch-with-flush';

function scheduler() {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

describe('batchWithFlush', () => {
  it('closes batches on their count and emits the rest on completion', () => {
    scheduler().run(({ cold, hot, expectObservable }) => {
      const source$ = cold('a-b-c-d-e|');
      const waits$ = hot<string[]>('---------');

      const batches$ = source$.pipe(batchWithFlush(2, waits$));

      expectObservable(batches$).toBe('--x---y--(z|)', {
        x: ['a', 'b'],
        y: ['c', 'd'],
        z: ['e'],
      });
    });
  });

  it('flushes a partly filled batch when an item inside it is waited on', () => {
    scheduler().run(({ cold, hot, expectObservable }) => {
      const source$ = cold('a-b------c|');
      const waits$ = hot<string[]>('----w----', { w: ['a'] });

      const batches$ = source$.pipe(batchWithFlush(10, waits$));

      expectObservable(batches$).toBe('----x-----(y|)', { x: ['a', 'b'], y: ['c'] });
    });
  });

  it('flushes as soon as an item announced before it arrives does', () => {
    scheduler().run(({ cold, hot, expectObservable }) => {
      const source$ = cold('a---b---c|');
      const waits$ = hot<string[]>('-w-------', { w: ['b'] });

      const batches$ = source$.pipe(batchWithFlush(10, waits$));

      expectObservable(batches$).toBe('----x----(y|)', { x: ['a', 'b'], y: ['c'] });
    });
  });

  it('ignores waits for items it already handed on', () => {
    scheduler().run(({ cold, hot, expectObservable }) => {
      const a = { id: 'a' };
      const b = { id: 'b' };
      const c = { id: 'c' };
      const source$ = cold('a-b---c|', { a, b, c });
      const waits$ = hot<object[]>('----w--', { w: [a] });

      const batches$ = source$.pipe(batchWithFlush(1, waits$));

      expectObservable(batches$).toBe('a-b---c|', { a: [a], b: [b], c: [c] });
    });
  });

  it('with a batch size of 1 emits every item alone', () => {
    scheduler().run(({ cold, hot, expectObservable }) => {
      const batches$ = cold('abc|').pipe(batchWithFlush(1, hot<string[]>('')));

      expectObservable(batches$).toBe('abc|', { a: ['a'], b: ['b'], c: ['c'] });
    });
  });

  it('holds an early flush back while the consumer saves, and emits it when it turns idle', () => {
    scheduler().run(({ cold, hot, expectObservable }) => {
      const source$ = cold('a-b-c-d----e|');
      const waits$ = hot<string[]>('w----------', { w: ['a', 'c', 'e'] });
      const saving$ = hot<boolean>('-s-----i----', { s: true, i: false });

      const batches$ = source$.pipe(batchWithFlush(10, waits$, saving$));

      // a flushes at once (idle); c is held while the consumer saves, and leaves with d when it
      // turns idle; e flushes at once again.
      expectObservable(batches$).toBe('a------x---y|', {
        a: ['a'],
        x: ['b', 'c', 'd'],
        y: ['e'],
      });
    });
  });

  it('emits a full batch even while the consumer saves', () => {
    scheduler().run(({ cold, hot, expectObservable }) => {
      const source$ = cold('a-b-c|');
      const saving$ = hot<boolean>('s', { s: true });

      const batches$ = source$.pipe(batchWithFlush(2, hot<string[]>(''), saving$));

      expectObservable(batches$).toBe('--x--(y|)', { x: ['a', 'b'], y: ['c'] });
    });
  });

  it('refuses a batch size below 1', () => {
    expect(() => batchWithFlush(0, hot())).toThrow('batch size 0 is not >= 1');
  });
});

function hot() {
  return new TestScheduler(() => undefined).createHotObservable<string[]>('');
}
