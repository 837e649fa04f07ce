import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { bigintToNumber } from './bigint-transformer';

/** A config or layer blob, shared by every repository that has it (content-addressed). */
@Entity({ name: 'blob' })
export class Blob {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 200, unique: true })
  digest!: string;

  @Column({ type: 'bigint', transformer: bigintToNumber })
  size!: number;

  @Column({ name: 'media_type', type: 'varchar', length: 255 })
  mediaType!: string;
}
