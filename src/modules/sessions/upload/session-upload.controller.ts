import { Controller, Post, Req } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { Consumes } from 'src/common/http/consumes.decorator';
import { ApiProblemResponses } from 'src/common/swagger/api-problem-responses.decorator';
import { Auth } from 'src/modules/auth/decorators/auth.decorator';
import { CurrentPrincipal } from 'src/modules/auth/decorators/current-principal.decorator';
import type { Principal } from 'src/modules/auth/principal';
import { SessionUploadResponseDto, UPLOAD_SESSION_BODY_SCHEMA } from './dto/upload-session.dto';
import { MULTIPART_FORM_DATA } from './multipart';
import { SessionUploadService } from './session-upload.service';

/** The native v1 upload of a whole session as a JSONL file. */
@ApiTags('sessions')
@Auth()
@Controller('v1/sessions')
export class SessionUploadController {
  constructor(private readonly uploads: SessionUploadService) {}

  @Post()
  @Consumes(MULTIPART_FORM_DATA)
  @ApiOperation({
    summary:
      'Upload a whole session as JSONL (one event a line); it replays like the same events sent through the trace API',
    description:
      'The file is stored and every line validated first: any invalid line answers 422 with `errors[]` naming ' +
      '`input_events:line <n>`, and nothing is kept. Then the events are appended in order, each line keeping its `seq`.',
  })
  @ApiConsumes(MULTIPART_FORM_DATA)
  @ApiBody({ schema: UPLOAD_SESSION_BODY_SCHEMA })
  @ApiCreatedResponse({ type: SessionUploadResponseDto })
  @ApiProblemResponses(400, 404, 413, 415, 422)
  uploadSession(@CurrentPrincipal() principal: Principal, @Req() req: Request): Promise<SessionUploadResponseDto> {
    return this.uploads.upload(principal, req);
  }
}
