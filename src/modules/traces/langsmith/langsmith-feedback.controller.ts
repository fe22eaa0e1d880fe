import { Body, Controller, Get, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiProblemResponses } from 'src/common/swagger/api-problem-responses.decorator';
import { Auth } from 'src/modules/auth/decorators/auth.decorator';
import { CurrentPrincipal } from 'src/modules/auth/decorators/current-principal.decorator';
import type { Principal } from 'src/modules/auth/principal';
import { FeedbackCreateDto, FeedbackResponseDto, ListFeedbackQueryDto } from './dto/feedback.dto';
import { LangsmithFeedbackService } from './langsmith-feedback.service';

/** LangSmith feedback on runs; each is also a `feedback` event of the run's session. */
@ApiTags('langsmith')
@Auth()
@Controller('api/v1/feedback')
export class LangsmithFeedbackController {
  constructor(private readonly feedback: LangsmithFeedbackService) {}

  @Post()
  @ApiOperation({ summary: 'Leave feedback on a run (a re-send with the same id changes nothing)' })
  @ApiBody({ type: FeedbackCreateDto })
  @ApiOkResponse({ type: FeedbackResponseDto })
  @ApiAcceptedResponse({ type: FeedbackResponseDto, description: 'Kept until the run arrives' })
  @ApiProblemResponses(400, 404, 409, 413, 415, 422)
  async createFeedback(
    @CurrentPrincipal() principal: Principal,
    @Body() body: unknown,
    @Res({ passthrough: true }) res: Response,
  ): Promise<FeedbackResponseDto> {
    const answer = await this.feedback.create(principal, body);
    res.status(answer.status);
    return answer.body;
  }

  @Get()
  @ApiOperation({ summary: 'Feedback of the caller workspace, oldest first' })
  @ApiOkResponse({ type: [FeedbackResponseDto] })
  @ApiProblemResponses(400, 422)
  listFeedback(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListFeedbackQueryDto,
  ): Promise<FeedbackResponseDto[]> {
    return this.feedback.list(principal, query);
  }

  @Get(':feedback_id')
  @ApiOperation({ summary: 'A feedback of the caller workspace' })
  @ApiOkResponse({ type: FeedbackResponseDto })
  @ApiProblemResponses(400, 404)
  getFeedback(
    @CurrentPrincipal() principal: Principal,
    @Param('feedback_id', ParseUUIDPipe) id: string,
  ): Promise<FeedbackResponseDto> {
    return this.feedback.get(principal, id);
  }
}
