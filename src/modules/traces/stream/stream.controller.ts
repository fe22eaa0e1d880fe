import { Controller, Get, Headers, Query, Res } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiProblemResponses } from 'src/common/swagger/api-problem-responses.decorator';
import { Auth } from 'src/modules/auth/decorators/auth.decorator';
import { CurrentPrincipal } from 'src/modules/auth/decorators/current-principal.decorator';
import type { Principal } from 'src/modules/auth/principal';
import { StreamQueryDto } from './dto/stream-query.dto';
import { StreamService } from './stream.service';

const STREAM_EXAMPLE =
  'retry: 3000\n\n' +
  'id: 19\nevent: trace_event\ndata: {"session_id":"6f1c…","seq":7,"sub_seq":0,"stream_seq":19,"type":"tool.call",…}\n\n' +
  ': heartbeat\n\n' +
  'event: dropped\ndata: {"reason":"slow_consumer","resume_after":19}\n\n';

/** The workspace-wide live stream of trace events (Server-Sent Events). */
@ApiTags('traces')
@Auth()
@Controller('api/stream')
export class StreamController {
  constructor(private readonly stream: StreamService) {}

  @Get()
  @ApiOperation({
    summary: 'Open a workspace-filtered SSE stream of trace events: missed events first (backfill), then live',
    description:
      'Each event is a frame `id: <stream_seq>`, `event: trace_event`, `data: <the event as GET /api/traces/{id}/events returns it>`; ' +
      'ids increase, and every event of the workspace (narrowed by `project_id`, `session_id`) is sent exactly once. ' +
      'Resume with `Last-Event-ID` (EventSource sends it on reconnect) or `after_seq`; without either the stream starts live. ' +
      'Comment lines (`: heartbeat`) keep proxies from closing an idle stream. A client that stops reading is ended ' +
      'with `event: dropped`, data `{reason, resume_after}`: reconnect with `after_seq=resume_after` to continue without a gap.',
  })
  @ApiProduces('text/event-stream')
  @ApiHeader({
    name: 'Last-Event-ID',
    required: false,
    description: 'Resume after this stream position (the `id:` of the last event received); wins over `after_seq`',
    schema: { type: 'string', pattern: '^[0-9]+$' },
  })
  @ApiOkResponse({
    description: 'An endless text/event-stream (see the description for its frames)',
    content: { 'text/event-stream': { schema: { type: 'string' }, example: STREAM_EXAMPLE } },
  })
  @ApiProblemResponses(400, 404, 422)
  async openStream(
    @CurrentPrincipal() principal: Principal,
    @Query() query: StreamQueryDto,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    await this.stream.open(principal, query, lastEventId, res);
  }
}
