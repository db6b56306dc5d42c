/** `12,345` */
export const int = (n: number): string => Math.round(n).toLocaleString('en-US');

/** MB/s with 1 MB = 10^6 bytes, as disks and networks are quoted. */
export function mbPerSecond(bytes: number, seconds: number): number {
  return seconds > 0 ? bytes / 1e6 / seconds : 0;
}

/** `1.5 GiB`, `231 MiB`, `12 KiB`. */
export function bytesText(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 100 || unit === 0 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}

/** `$0.0123` with enough digits to show sub-cent costs. */
export function usd(amount: number): string {
  if (amount === 0) return '$0';
  if (amount >= 1) return `$${amount.toFixed(2)}`;
  const digits = Math.min(8, Math.max(2, 1 - Math.floor(Math.log10(amount)) + 1));
  return `$${amount.toFixed(digits)}`;
}

export const seconds = (s: number): string => (s >= 100 ? `${Math.round(s)} s` : `${s.toFixed(2)} s`);
