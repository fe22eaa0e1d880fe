import { Body, Controller, Get, Put, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblemResponses } from 'src/common/swagger/api-problem-responses.decorator';
import { Auth } from 'src/modules/auth/decorators/auth.decorator';
import { CurrentPrincipal } from 'src/modules/auth/decorators/current-principal.decorator';
import type { Principal } from 'src/modules/auth/principal';
import { GetModelSharingQueryDto, ModelSharingDto, ModelSharingListDto, PutModelSharingDto } from './dto/sharing.dto';
import { SharingService } from './sharing.service';

@ApiTags('modelops')
@Auth('superadmin')
@Controller('v1/modelops/sharing')
export class SharingController {
  constructor(private readonly sharing: SharingService) {}

  @Get()
  @ApiOperation({ summary: 'Which workspaces and roles may use which models' })
  @ApiOkResponse({ type: ModelSharingListDto })
  @ApiProblemResponses(404, 422)
  getModelSharing(@Query() query: GetModelSharingQueryDto): Promise<ModelSharingListDto> {
    return this.sharing.get(query);
  }

  @Put()
  @ApiOperation({ summary: "Replace one model's grants (workspace or every workspace, and the lowest role)" })
  @ApiOkResponse({ type: ModelSharingDto })
  @ApiProblemResponses(400, 404, 415, 422)
  replaceModelSharing(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: PutModelSharingDto,
  ): Promise<ModelSharingDto> {
    return this.sharing.put(principal, dto);
  }
}
