import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class ProblemFieldErrorDto {
  /** Dotted path of the offending field. */
  @ApiProperty({ example: 'events.1.seq' })
  field: string;

  @ApiProperty({ example: 'seq must be a positive integer' })
  message: string;
}

/** RFC 9457 problem details, the body of every error answer. */
export class ProblemDto {
  @ApiProperty({ example: 'https://flightdeck.dev/problems/validation_failed' })
  type: string;

  @ApiProperty({ example: 'Unprocessable Entity' })
  title: string;

  @ApiProperty({ example: 422 })
  status: number;

  @ApiProperty({ example: 'The request failed validation' })
  detail: string;

  /** Machine-readable error code; the last segment of `type`. */
  @ApiProperty({ example: 'validation_failed' })
  code: string;

  @ApiProperty({ example: '2f1c6d0e-7c1b-4a55-9d0c-0f7b7d2f5a11' })
  request_id: string;

  @ApiProperty({ example: '/v1/api-keys' })
  instance: string;

  @ApiPropertyOptional({ type: [ProblemFieldErrorDto] })
  errors?: ProblemFieldErrorDto[];
}
