// A number field whose empty value means "not set" (undefined), so optional
// step settings stay absent instead of becoming 0.
interface NumberInputProps {
  id?: string;
  value: unknown;
  onChange: (value: number | undefined) => void;
  min?: number;
  max?: number;
  step?: number | 'any';
  placeholder?: string;
  'aria-invalid'?: boolean;
  'aria-describedby'?: string;
}

export function NumberInput({ value, onChange, step = 'any', ...rest }: NumberInputProps) {
  return (
    <input
      {...rest}
      className="input"
      type="number"
      step={step}
      value={typeof value === 'number' && Number.isFinite(value) ? value : ''}
      onChange={(event) => onChange(event.target.value === '' ? undefined : Number(event.target.value))}
    />
  );
}
