// Python's repr(float), the text json.dumps writes for a float, and pydantic-core's spelling of it.

/** Python's repr(float) (what json.dumps writes): shortest round-trip digits, fixed notation for 1e-4 <= |x| < 1e16. */
export function floatRepr(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "Infinity";
  if (x === -Infinity) return "-Infinity";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const sign = x < 0 ? "-" : "";
  // toExponential() without digits gives the shortest digits that round-trip
  const [mantissa, exp] = Math.abs(x).toExponential().split("e") as [string, string];
  const digits = mantissa.replace(".", "");
  const e = Number(exp); // x = d.ddd × 10^e; Python's decpt = e + 1
  const decpt = e + 1;
  if (decpt > -4 && decpt <= 16) {
    if (decpt <= 0) return `${sign}0.${"0".repeat(-decpt)}${digits}`;
    if (decpt >= digits.length) return `${sign}${digits}${"0".repeat(decpt - digits.length)}.0`;
    return `${sign}${digits.slice(0, decpt)}.${digits.slice(decpt)}`;
  }
  const m = digits.length === 1 ? digits : `${digits[0]}.${digits.slice(1)}`;
  return `${sign}${m}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
}

/**
 * pydantic-core's JSON text of a float, from Python's repr of it: the same
 * digits, but a negative exponent unpadded (1e-7 where repr writes 1e-07),
 * and 1e-5 <= |x| < 1e-4 in fixed notation (0.000015 for 1.5e-05). Compared
 * with pydantic_core.to_json on 600 000 doubles (every decade, random
 * mantissas and bit patterns): equal. Other texts (ints, fixed notation,
 * positive exponents) are the same in both and come back unchanged.
 */
export function pydanticFloatText(repr: string): string {
  const m = /^(-?)(\d)(?:\.(\d+))?e-(\d+)$/.exec(repr);
  if (!m) return repr;
  const [, sign, digit, fraction = "", exp] = m as unknown as [string, string, string, string | undefined, string];
  const e = Number(exp);
  if (e === 5) return `${sign}0.0000${digit}${fraction}`;
  return `${sign}${digit}${fraction ? "." + fraction : ""}e-${e}`;
}
