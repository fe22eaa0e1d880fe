import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';

/** Query string of a signed local-storage URL; its values are checked against the signature, not here. */
export class SignedObjectQueryDto {
  /** Expiry of the URL, in seconds since the Unix epoch. */
  @ApiProperty({ example: '1767225600' })
  @IsString()
  expires: string;

  /** Hex HMAC-SHA256 over the key, the expiry and the file name. */
  @ApiProperty({
    example: '9f2c6b1e0d4a7c3f8e5b2a1d6c9f0e3b7a4d1c8e5f2b9a6d3c0e7f4a1b8d5c2e',
  })
  @IsString()
  signature: string;

  /** File name offered for the download, when one was signed into the URL. */
  @ApiPropertyOptional({ example: 'session-replay.jsonl' })
  @IsOptional()
  @IsString()
  filename?: string;
}
