// Web images copied into Matrix: the file name a URL gives one, the copy uploaded, and its pixel size read from its
// bytes. Pure; what a network's message shows is its converter's business.

/** The decoded path of a URL, or "" when it is not one. */
export function pathOf(url: string): string {
  try {
    return decodeURIComponent(new URL(url).pathname);
  } catch {
    return "";
  }
}

/** The file name a URL ends in, or "image" when it has none. */
export function fileNameOf(url: string): string {
  const name = pathOf(url).split("/").pop() ?? "";
  return name.trim() === "" ? "image" : name;
}

export interface UploadedImage {
  mxc: string;
  mimetype: string;
  size: number;
  /** Pixel size, when the bytes said. */
  w?: number;
  h?: number;
}

/** Width and height from a PNG, GIF or JPEG header; null for other formats or damaged bytes. */
export function imageDimensions(bytes: Uint8Array): { w: number; h: number } | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const at = (i: number, s: string) => [...s].every((c, k) => bytes[i + k] === c.charCodeAt(0));
  if (bytes.length >= 24 && at(1, "PNG") && at(12, "IHDR")) return { w: view.getUint32(16), h: view.getUint32(20) };
  if (bytes.length >= 10 && at(0, "GIF8")) return { w: view.getUint16(6, true), h: view.getUint16(8, true) };
  if (bytes.length >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8) return jpegDimensions(view);
  return null;
}

/** Walks the JPEG segments to the first start-of-frame marker, which holds the size. */
function jpegDimensions(view: DataView): { w: number; h: number } | null {
  let i = 2;
  while (i + 9 < view.byteLength) {
    if (view.getUint8(i) !== 0xff) return null;
    const marker = view.getUint8(i + 1);
    const isFrame = marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker);
    if (isFrame) return { h: view.getUint16(i + 5), w: view.getUint16(i + 7) };
    i += 2 + view.getUint16(i + 2);
  }
  return null;
}
