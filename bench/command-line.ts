/**
 * The benchmarks' own small option reading: `--flag` and `--name value`, walked in order. Each
 * bench says what its options mean; this only walks the words and says when one lacks its value,
 * so every bench words that error the same way.
 */

/**
 * Calls `option` with each word of `argv`; its `value()` takes the next word as that option's value
 * (so the walk skips it), or throws `--name needs a value` at the end of the line.
 */
export function eachOption(argv: string[], option: (arg: string, value: () => string) => void): void {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    option(arg, () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    });
  }
}
