import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, Matches } from 'class-validator';

export class SaveCredentialDto {
  /**
   * Unique name. Saving again under an existing name updates that credential (and makes the
   * validations of the models using it stale when the secret changes).
   */
  @ApiProperty({ example: 'openai-prod' })
  @IsString()
  @Length(1, 100)
  @Matches(/^[A-Za-z0-9][A-Za-z0-9 ._:-]*$/, { message: 'name may use letters, digits, spaces and . _ : -' })
  name: string;

  /** Who issued it, e.g. `openai`, `azure_openai`, `together`. */
  @ApiProperty({ example: 'openai' })
  @IsString()
  @Length(1, 100)
  provider: string;

  /**
   * The secret (API key). Write-only: never returned. Sending back the stored mask (e.g.
   * `sk-...abcd`, as listed) keeps the stored secret unchanged.
   */
  @ApiProperty({ example: 'sk-proj-...', writeOnly: true })
  @IsString()
  @Length(1, 8192)
  secret: string;

  @ApiPropertyOptional({ type: String, nullable: true })
  @IsOptional()
  @IsString()
  @Length(0, 1000)
  description?: string | null;
}

/** A credential as listed: never the secret, only its mask. */
export class CredentialResponseDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  name: string;

  provider: string;

  @ApiProperty({ type: String, nullable: true })
  description: string | null;

  /** The first and last characters of the secret, e.g. `sk-...abcd`. */
  @ApiProperty({ example: 'sk-...abcd' })
  secret_mask: string;

  /** What other modules put in a secret ref to use this credential. */
  @ApiProperty({ example: 'modelops://credential/6f1c...' })
  secret_ref: string;

  /** Version of the key-encryption key its data key is wrapped with. */
  kek_version: string;

  @ApiProperty({ format: 'date-time' })
  created_at: string;

  @ApiProperty({ format: 'date-time' })
  updated_at: string;

  @ApiProperty({ format: 'date-time' })
  secret_updated_at: string;
}
