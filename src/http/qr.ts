/**
 * The QR code of an `otpauth://` URI, drawn here as SVG (no external service) and given to the page as a
 * `data:` image (the CSP allows `img-src data:`; no inline script or style is needed). The library is loaded
 * on the first enrolment page, not at start-up.
 */
export async function qrDataUri(text: string): Promise<string> {
  const { default: QRCode } = await import('qrcode');
  const svg = await QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
}
