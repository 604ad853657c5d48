/** The public face of @rescard/shared: other packages import only from here. */
export * from './errors.js';
export * from './hex.js';
export * from './tlv/tlv.js';
export * from './tlv/tag.js';
export * from './scheme.js';
export * from './pan.js';
export * from './token.js';
export * from './emv/dol.js';
export * from './emv/afl.js';
export * from './emv/terminal-data.js';
export * from './error-actions.js';
