import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from 'src/modules/auth/decorators/public.decorator';
import { LangsmithInfoDto } from './dto/info.dto';
import { LangsmithRunsService } from './langsmith-runs.service';

/** What the LangSmith SDKs read first: limits and features. Public and cheap, as they expect. */
@ApiTags('langsmith')
@Controller('api/v1')
export class LangsmithInfoController {
  constructor(private readonly runs: LangsmithRunsService) {}

  @Public()
  @Get('info')
  @Header('Cache-Control', 'public, max-age=60')
  @ApiOperation({
    summary: 'Server information for the LangSmith SDKs (batch limits, multipart, gzip)',
    description: 'Public. `batch_ingest_config` always carries all six keys.',
  })
  @ApiOkResponse({ type: LangsmithInfoDto })
  getLangsmithInfo(): LangsmithInfoDto {
    return this.runs.info();
  }
}
