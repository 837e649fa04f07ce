export type { SignatureOptions } from '../signatures/signature-options';
