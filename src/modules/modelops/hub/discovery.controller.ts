import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiProblemResponses } from 'src/common/swagger/api-problem-responses.decorator';
import { Auth } from 'src/modules/auth/decorators/auth.decorator';
import { DiscoveryService } from './discovery.service';
import { GetHubModelQueryDto, HubModelDetailsDto, HubModelListDto, SearchHubModelsQueryDto } from './dto/discovery.dto';

@ApiTags('modelops')
@Auth('superadmin')
@Controller('v1/modelops/discovery/huggingface')
export class DiscoveryController {
  constructor(private readonly discovery: DiscoveryService) {}

  @Get()
  @ApiOperation({ summary: 'Search the model hub (refused offline)' })
  @ApiOkResponse({ type: HubModelListDto })
  @ApiProblemResponses(409, 422, 502)
  searchHubModels(@Query() query: SearchHubModelsQueryDto): Promise<HubModelListDto> {
    return this.discovery.search(query);
  }

  @Get(':source_id')
  @ApiOperation({ summary: 'A hub repository: the commit its revision points at, its files, sizes and sha256' })
  @ApiParam({
    name: 'source_id',
    type: String,
    description: 'Repository id, `owner/name`, as one URL-encoded path segment (`Qwen%2FQwen2.5-0.5B-Instruct`)',
    example: 'Qwen/Qwen2.5-0.5B-Instruct',
  })
  @ApiOkResponse({ type: HubModelDetailsDto })
  @ApiProblemResponses(404, 409, 422, 502)
  getHubModel(@Param('source_id') sourceId: string, @Query() query: GetHubModelQueryDto): Promise<HubModelDetailsDto> {
    return this.discovery.get(sourceId, query);
  }
}
