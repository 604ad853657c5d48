/** OSDP codec and Secure Channel (SIA OSDP 2.2): pure, bytes in, bytes out. */
export * from './codes.js';
export * from './osdp-error.js';
export { crc16, checksum8 } from './check.js';
export * from './frame.js';
export * from './frame-parser.js';
export * from './commands.js';
export { decodeCommand } from './command-decode.js';
export * from './replies.js';
export { decodeReply } from './reply-decode.js';
export * from './secure-channel.js';
export * from './secure-session.js';
export * from './handshake.js';
