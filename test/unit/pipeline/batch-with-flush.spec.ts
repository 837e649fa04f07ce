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

  it('lingers after an awaited item arrives, so the items on their way join its batch', () => {
    scheduler().run(({ cold, hot, expectObservable }) => {
      const source$ = cold('a-b-c---d|');
      const waits$ = hot<string[]>('w--------', { w: ['a'] });

      const batches$ = source$.pipe(batchWithFlush(10, waits$, hot<boolean>(''), 5));

      // a is due at 0 and leaves at 5 with what came meanwhile; d is nobody's dependency.
      expectObservable(batches$).toBe('-----x---(y|)', { x: ['a', 'b', 'c'], y: ['d'] });
    });
  });

  it('lingers from the moment a batch became due, not from each awaited item', () => {
    scheduler().run(({ cold, hot, expectObservable }) => {
      const source$ = cold('a-b-c-------|');
      const waits$ = hot<string[]>('w-----------', { w: ['a', 'c'] });

      const batches$ = source$.pipe(batchWithFlush(10, waits$, hot<boolean>(''), 3));

      // a makes the batch due at 0, so it leaves at 3; c starts the next one, due at 4, out at 7.
      expectObservable(batches$).toBe('---x---y----|', { x: ['a', 'b'], y: ['c'] });
    });
  });

  it('cuts the linger short when the batch fills', () => {
    scheduler().run(({ cold, hot, expectObservable }) => {
      const source$ = cold('ab-------c|');
      const waits$ = hot<string[]>('w---------', { w: ['a'] });

      const batches$ = source$.pipe(batchWithFlush(2, waits$, hot<boolean>(''), 50));

      expectObservable(batches$).toBe('-x--------(y|)', { x: ['a', 'b'], y: ['c'] });
    });
  });

  it('after the linger, still waits for the consumer to turn idle', () => {
    scheduler().run(({ cold, hot, expectObservable }) => {
      const source$ = cold('a----------|');
      const waits$ = hot<string[]>('w----------', { w: ['a'] });
      const saving$ = hot<boolean>('s-------i--', { s: true, i: false });

      const batches$ = source$.pipe(batchWithFlush(10, waits$, saving$, 3));

      expectObservable(batches$).toBe('--------x--|', { x: ['a'] });
    });
  });

  it('flushes on completion without waiting out the linger', () => {
    scheduler().run(({ cold, hot, expectObservable }) => {
      const source$ = cold('a-|');
      const waits$ = hot<string[]>('w--', { w: ['a'] });

      const batches$ = source$.pipe(batchWithFlush(10, waits$, hot<boolean>(''), 20));

      expectObservable(batches$).toBe('--(x|)', { x: ['a'] });
    });
  });

  it('refuses a batch size below 1', () => {
    expect(() => batchWithFlush(0, hot())).toThrow('batch size 0 is not >= 1');
  });
});

function hot() {
  return new TestScheduler(() => undefined).createHotObservable<string[]>('');
}
