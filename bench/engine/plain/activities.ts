/** The baseline's two trivial activities: they stand for the engine's sends, without any I/O. */
export function createPlainActivities() {
  return {
    async sendFirst(userId: string): Promise<string> {
      return `first:${userId}`;
    },
    async sendSecond(userId: string): Promise<string> {
      return `second:${userId}`;
    },
  };
}

export type PlainActivities = ReturnType<typeof createPlainActivities>;
