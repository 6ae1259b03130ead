import type { JSX } from 'hono/jsx/jsx-runtime';

export type EmailInputProps = Omit<JSX.IntrinsicElements['input'], 'type' | 'value'> & {
  id: string;
  value?: string | undefined;
};

/**
 * Every email field (sign-in, forgot password, sign-up, change email): `type="email"`, required, no capital
 * added and no spell checker, at most 254 characters (RFC 5321's longest path). `name` is `email` and
 * `autocomplete` is `email` unless given (the sign-in form says `username`, for password managers).
 */
export function EmailInput({ value, ...props }: EmailInputProps) {
  return (
    <input
      name="email"
      type="email"
      autocomplete="email"
      autocapitalize="none"
      spellcheck={false}
      maxlength={254}
      required
      value={value ?? ''}
      {...props}
    />
  );
}
