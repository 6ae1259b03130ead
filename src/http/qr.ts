import QRCode from 'qrcode';

/**
 * The QR code of an `otpauth://` URI, drawn here as SVG (no external service) and given to the page as a
 * `data:` image (the CSP allows `img-src data:`; no inline script or style is needed).
 */
export async function qrDataUri(text: string): Promise<string> {
  const svg = await QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
}
