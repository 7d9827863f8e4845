/**
 * An offline check of FC timer cron expressions: six fields (second minute hour day-of-month month
 * day-of-week), UTC; each field `*`, `?` (day fields), a value, a range `a-b`, a step `*\/n` or `a-b/n`,
 * or a comma list of those. `@every <n><s|m|h>` is also accepted by FC.
 */
const FIELDS: Array<{ name: string; min: number; max: number; names?: string[]; question?: boolean }> = [
  { name: 'second', min: 0, max: 59 },
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31, question: true },
  {
    name: 'month',
    min: 1,
    max: 12,
    names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'],
  },
  { name: 'day-of-week', min: 0, max: 6, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'], question: true },
];

/** Problems with a cron expression (empty when valid). */
export function cronProblems(expression: string): string[] {
  const every = /^@every (\d+)([smh])$/.exec(expression.trim());
  if (every !== null) return Number(every[1]) > 0 ? [] : ['@every needs a positive interval'];
  const parts = expression.trim().split(/\s+/);
  if (parts.length !== 6) return [`expected six fields (second minute hour day month weekday), got ${parts.length}`];
  const problems: string[] = [];
  parts.forEach((part, i) => {
    const field = FIELDS[i]!;
    const value = (text: string): number | undefined => {
      const named = field.names?.indexOf(text.toUpperCase()) ?? -1;
      if (named >= 0) return named + field.min;
      if (!/^\d+$/.test(text)) return undefined;
      const n = Number(text);
      return n >= field.min && n <= field.max ? n : undefined;
    };
    for (const item of part.split(',')) {
      if (item === '?' && field.question === true) continue;
      const m = /^(\*|([^-/]+)(?:-([^/]+))?)(?:\/(\d+))?$/.exec(item);
      const ok =
        m !== null &&
        (m[1] === '*' || (value(m[2]!) !== undefined && (m[3] === undefined || value(m[3]) !== undefined))) &&
        (m[4] === undefined || Number(m[4]) > 0);
      if (!ok) problems.push(`${field.name} field "${item}" is not valid (${field.min}-${field.max})`);
    }
  });
  return problems;
}

/** The interval in seconds of a simple periodic expression (`0 *\/N * * * *`, `@every Nm`), else undefined. */
export function cronIntervalSeconds(expression: string): number | undefined {
  const every = /^@every (\d+)([smh])$/.exec(expression.trim());
  if (every !== null) return Number(every[1]) * { s: 1, m: 60, h: 3600 }[every[2] as 's' | 'm' | 'h'];
  const m = /^0 \*(?:\/(\d+))? \* \* \* [*?]$/.exec(expression.trim());
  return m === null ? undefined : Number(m[1] ?? 1) * 60;
}
