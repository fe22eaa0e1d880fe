import { applyDecorators, Body, Controller, Headers, HttpCode, HttpStatus, Post, StreamableFile } from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiResponse,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import { ProblemDto } from 'src/common/errors/problem.dto';
import { Consumes } from 'src/common/http/consumes.decorator';
import { ApiProblemResponses } from 'src/common/swagger/api-problem-responses.decorator';
import { Auth } from 'src/modules/auth/decorators/auth.decorator';
import { CurrentPrincipal } from 'src/modules/auth/decorators/current-principal.decorator';
import type { Principal } from 'src/modules/auth/principal';
import { EXPORT_TRACE_REQUEST_BODY, ExportTraceServiceResponseDto } from './dto/export-trace.dto';
import {
  JSON_MEDIA_TYPE,
  LANGSMITH_OTLP_TRACES_PATH,
  OTLP_MEDIA_TYPES,
  OTLP_TRACES_PATH,
  PROTOBUF_MEDIA_TYPE,
} from './otlp.constants';
import { OtlpService } from './otlp.service';

const DESCRIPTION =
  'Spans become runs of the trace (one session per trace id) and GenAI / OpenInference attributes become ' +
  'typed session events (`llm.call`, `llm.result`, `tool.call`, `tool.result`, `error`). Answered with an ' +
  '`ExportTraceServiceResponse` in the request encoding; `partialSuccess` counts and explains refused spans, ' +
  'all others are stored. An undecodable body is 400 and stores nothing.';

/** The OpenAPI description shared by both routes: bodies and answers in either encoding. */
function ApiExportTraces() {
  return applyDecorators(
    ApiExtraModels(ExportTraceServiceResponseDto, ProblemDto),
    ApiConsumes(...OTLP_MEDIA_TYPES),
    ApiBody(EXPORT_TRACE_REQUEST_BODY),
    ApiOkResponse({
      description: '`ExportTraceServiceResponse` in the encoding of the request',
      content: {
        [JSON_MEDIA_TYPE]: { schema: { $ref: getSchemaPath(ExportTraceServiceResponseDto) } },
        [PROTOBUF_MEDIA_TYPE]: { schema: { type: 'string', format: 'binary' } },
      },
    }),
    ApiProblemResponses(400, 413, 415),
    ApiResponse({
      status: 503,
      description: 'The spans could not be stored right now; retry after `Retry-After` (exporters do)',
      content: { 'application/problem+json': { schema: { $ref: getSchemaPath(ProblemDto) } } },
    }),
  );
}

/** OTLP/HTTP trace ingestion: the official OpenTelemetry exporters (JSON or protobuf) unchanged. */
@ApiTags('otlp')
@Auth()
@Controller()
export class OtlpController {
  constructor(private readonly otlp: OtlpService) {}

  @Post(OTLP_TRACES_PATH)
  @HttpCode(HttpStatus.OK)
  @Consumes(...OTLP_MEDIA_TYPES)
  @ApiOperation({ summary: 'Export OpenTelemetry spans (OTLP/HTTP, JSON or protobuf)', description: DESCRIPTION })
  @ApiExportTraces()
  exportTraces(
    @CurrentPrincipal() principal: Principal,
    @Body() body: unknown,
    @Headers('content-type') contentType: string | undefined,
  ): Promise<StreamableFile | ExportTraceServiceResponseDto> {
    return this.otlp.export(principal, body, contentType);
  }

  @Post(LANGSMITH_OTLP_TRACES_PATH)
  @HttpCode(HttpStatus.OK)
  @Consumes(...OTLP_MEDIA_TYPES)
  @ApiOperation({
    summary: 'Export OpenTelemetry spans at the LangSmith SDK OTLP path (`{LANGSMITH_ENDPOINT}/otel/v1/traces`)',
    description: `Same as \`POST /v1/traces\`. ${DESCRIPTION}`,
  })
  @ApiExportTraces()
  exportLangsmithOtelTraces(
    @CurrentPrincipal() principal: Principal,
    @Body() body: unknown,
    @Headers('content-type') contentType: string | undefined,
  ): Promise<StreamableFile | ExportTraceServiceResponseDto> {
    return this.otlp.export(principal, body, contentType);
  }
}
