import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { bigintToNumber } from './bigint-transformer';

/** A config or layer blob, shared by every repository that has it (content-addressed). */
@Entity({ name: 'blob' })
export class Blob {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 200, unique: true })
  digest!: string;

  /** Unknown for a schema 1 layer that was not downloaded (on_demand). */
  @Column({ type: 'bigint', nullable: true, transformer: bigintToNumber })
  size!: number | null;

  @Column({ name: 'media_type', type: 'varchar', length: 255 })
  mediaType!: string;

  /** Whether the blob store holds the bytes; false for layers synced on_demand. */
  @Column({ type: 'boolean', default: true })
  stored!: boolean;
}
