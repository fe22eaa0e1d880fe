import { Body, Controller, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import {
  ApiBody,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { BodyHandle, TakeBody } from 'src/common/http/body-handle.decorator';
import { ApiProblemResponses } from 'src/common/swagger/api-problem-responses.decorator';
import { Auth } from 'src/modules/auth/decorators/auth.decorator';
import { CurrentPrincipal } from 'src/modules/auth/decorators/current-principal.decorator';
import type { Principal } from 'src/modules/auth/principal';
import {
  AnswerQuestionDto,
  AppendEventsDto,
  AppendResultDto,
  EventInputDto,
  EventPageDto,
  LeaveFeedbackDto,
  ListEventsQueryDto,
} from 'src/modules/sessions/dto/event.dto';
import { CreateTraceDto, EndTraceDto, SessionResponseDto } from 'src/modules/sessions/dto/session.dto';
import { EventsService } from 'src/modules/sessions/events.service';
import { SessionsService } from 'src/modules/sessions/sessions.service';

/** The locked trace API: sessions created by SDKs, their event log, and operator messaging. */
@ApiTags('traces')
@Auth()
@Controller('api/traces')
export class TracesController {
  constructor(
    private readonly sessions: SessionsService,
    private readonly events: EventsService,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Create a session for an agent run (a retry with the same id or key returns it: 200)' })
  @ApiCreatedResponse({ type: SessionResponseDto, description: 'Created' })
  @ApiOkResponse({ type: SessionResponseDto, description: 'Already created by an earlier identical call' })
  @ApiProblemResponses(400, 404, 409, 415, 422)
  async createTrace(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: CreateTraceDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<SessionResponseDto> {
    const { session, created } = await this.sessions.createFromTrace(principal, dto);
    res.status(created ? HttpStatus.CREATED : HttpStatus.OK);
    return session;
  }

  @Get(':id')
  @ApiOperation({ summary: 'Session metadata, counters and status' })
  @ApiOkResponse({ type: SessionResponseDto })
  @ApiProblemResponses(400, 404)
  getTrace(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<SessionResponseDto> {
    return this.sessions.get(principal, id);
  }

  @Post(':id/events')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Append one event or a batch; valid events of a mixed batch are stored, the rest listed with reasons',
    description:
      'Answered only after the events are durable. Each payload must match the schema of its type ' +
      '(components `EventPayload_<type>`). A single refused event answers 409 (seq or idempotency conflict) or 422.',
  })
  @ApiExtraModels(EventInputDto, AppendEventsDto)
  @ApiBody({ schema: { oneOf: [{ $ref: getSchemaPath(AppendEventsDto) }, { $ref: getSchemaPath(EventInputDto) }] } })
  @ApiOkResponse({ type: AppendResultDto })
  @ApiProblemResponses(400, 404, 409, 413, 415, 422)
  appendEvents(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @TakeBody() body: BodyHandle,
  ): Promise<AppendResultDto> {
    return this.events.appendFromClient(principal, id, body);
  }

  @Get(':id/events')
  @ApiOperation({ summary: 'Read the ordered events for replay (seq order; never by client timestamp)' })
  @ApiOkResponse({ type: EventPageDto })
  @ApiProblemResponses(400, 404, 422)
  listEvents(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Query() query: ListEventsQueryDto,
  ): Promise<EventPageDto> {
    return this.events.list(principal, id, query);
  }

  @Post(':id/end')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'End a session from outside the agent (appends a session.end event)' })
  @ApiOkResponse({ type: AppendResultDto })
  @ApiProblemResponses(400, 404, 415, 422)
  endTrace(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: EndTraceDto,
  ): Promise<AppendResultDto> {
    return this.events.endSession(principal, id, dto);
  }

  @Post(':id/answers')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: "Answer the agent's question; the answer joins the log and the stream" })
  @ApiOkResponse({ type: AppendResultDto })
  @ApiProblemResponses(400, 404, 415, 422)
  answerQuestion(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: AnswerQuestionDto,
  ): Promise<AppendResultDto> {
    return this.events.answerQuestion(principal, id, dto);
  }

  @Post(':id/feedback')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Leave feedback on the run or one of its events' })
  @ApiOkResponse({ type: AppendResultDto })
  @ApiProblemResponses(400, 404, 415, 422)
  leaveFeedback(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: LeaveFeedbackDto,
  ): Promise<AppendResultDto> {
    return this.events.leaveFeedback(principal, id, dto);
  }
}
