import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** A tag name pointing at a manifest; a tag that moves upstream is a new row. */
@Entity({ name: 'tag' })
@Index(['name', 'manifestId'], { unique: true })
export class Tag {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 255 })
  name!: string;

  @Column({ name: 'manifest_id', type: 'uuid' })
  manifestId!: string;
}
