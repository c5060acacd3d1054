import { createMemoryProfile } from '../../api/dry-run/profile';

describe('dry-run profile', () => {
  const start = () =>
    createMemoryProfile({
      userId: 'u1',
      attributes: { visits: 2, plan: 'free', tags: ['a'], address: { city: 'Paris' } },
      email: 'a@example.com',
      pushTokens: [],
      consent: {},
    });

  it('applies the operations of updateProfile in memory, fields and attributes alike', async () => {
    const profile = start();
    await profile.apply('u1', [
      { property: 'visits', op: 'increment', value: 3 },
      { property: 'credits', op: 'decrement', value: 1 },
      { property: 'tags', op: 'addToList', value: 'b' },
      { property: 'tags', op: 'addToList', value: 'a' },
      { property: 'address.zip', op: 'set', value: '75001' },
      { property: 'plan', op: 'unset' },
      { property: 'email', op: 'set', value: 'b@example.com' },
      { property: 'consent.sms', op: 'set', value: false },
      { property: 'missing', op: 'removeFromList', value: 'x' },
    ]);
    expect(profile.current()).toEqual({
      userId: 'u1',
      attributes: { visits: 5, credits: -1, tags: ['a', 'b'], address: { city: 'Paris', zip: '75001' } },
      email: 'b@example.com',
      pushTokens: [],
      consent: { sms: false },
    });
    expect(await profile.view('u1', ['address.city', 'email'])).toEqual({ address: { city: 'Paris' }, email: 'b@example.com' });
  });

  it('fails like the store on a type conflict, keeping the operations before it', async () => {
    const profile = start();
    await expect(
      profile.apply('u1', [
        { property: 'visits', op: 'increment', value: 1 },
        { property: 'plan', op: 'increment', value: 1 },
      ]),
    ).rejects.toThrow('not a number');
    await expect(profile.apply('u1', [{ property: 'plan', op: 'addToList', value: 'x' }])).rejects.toThrow('not a list');
    await expect(profile.apply('u1', [{ property: 'plan.tier', op: 'set', value: 1 }])).rejects.toThrow('plan is not an object');
    expect(profile.current().attributes).toMatchObject({ visits: 3, plan: 'free' });
  });
});
