import { TtlCache } from '../../store/ttl-cache';

/** The send path's in-process cache: one load per key and window, shared by concurrent callers. */
describe('TtlCache', () => {
  let now = 0;
  const cache = () => new TtlCache<number>(2_000, 3, () => now);

  beforeEach(() => {
    now = 0;
  });

  it('loads a key once per window, shares a load in flight, and reloads once the window has passed', async () => {
    const c = cache();
    let loads = 0;
    const load = async () => ++loads;
    expect(await Promise.all([c.get('a', load), c.get('a', load)])).toEqual([1, 1]);
    now = 1_999;
    expect(await c.get('a', load)).toBe(1);
    now = 2_000;
    expect(await c.get('a', load)).toBe(2);
  });

  it('reloads at once after delete, and forgets a failed load', async () => {
    const c = cache();
    let loads = 0;
    expect(await c.get('a', async () => ++loads)).toBe(1);
    c.delete('a');
    expect(await c.get('a', async () => ++loads)).toBe(2);
    await expect(c.get('b', () => Promise.reject(new Error('store down')))).rejects.toThrow('store down');
    expect(await c.get('b', async () => 7)).toBe(7);
  });

  it('keeps at most its size, dropping the least recently loaded key', async () => {
    const c = cache();
    for (const key of ['a', 'b', 'c', 'd']) await c.get(key, async () => 1);
    let reloaded = false;
    await c.get('a', async () => {
      reloaded = true;
      return 2;
    });
    expect(reloaded).toBe(true);
  });
});
