// UTF-8 TextDecoder/TextEncoder for AudioWorkletGlobalScope, which has neither: wasm-bindgen's glue
// constructs a TextDecoder as soon as it loads, so this module must be imported before the glue.
// Defines only what is missing; elsewhere it does nothing.

if (typeof globalThis.TextDecoder === 'undefined') {
  globalThis.TextDecoder = class TextDecoder {
    get encoding() {
      return 'utf-8';
    }

    decode(input) {
      if (input === undefined) return '';
      const bytes = input instanceof Uint8Array ? input : new Uint8Array(input.buffer ?? input);
      let text = '';
      for (let i = 0; i < bytes.length; ) {
        const lead = bytes[i++];
        const extra = lead >= 0xf0 ? 3 : lead >= 0xe0 ? 2 : lead >= 0xc0 ? 1 : 0;
        let codePoint = extra === 0 ? lead : lead & (0x3f >> extra);
        for (let k = 0; k < extra && i < bytes.length; k++) codePoint = (codePoint << 6) | (bytes[i++] & 0x3f);
        text += String.fromCodePoint(codePoint);
      }
      return text;
    }
  };
}

if (typeof globalThis.TextEncoder === 'undefined') {
  globalThis.TextEncoder = class TextEncoder {
    get encoding() {
      return 'utf-8';
    }

    encode(text = '') {
      const bytes = new Uint8Array(text.length * 3);
      return bytes.subarray(0, this.encodeInto(text, bytes).written);
    }

    encodeInto(text, bytes) {
      let read = 0;
      let written = 0;
      for (const char of text) {
        const codePoint = char.codePointAt(0);
        const size = codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
        if (written + size > bytes.length) break;
        if (size === 1) {
          bytes[written++] = codePoint;
        } else {
          bytes[written++] = ((0xf00 >> size) & 0xff) | (codePoint >> (6 * (size - 1)));
          for (let k = size - 2; k >= 0; k--) bytes[written++] = 0x80 | ((codePoint >> (6 * k)) & 0x3f);
        }
        read += char.length;
      }
      return { read, written };
    }
  };
}
