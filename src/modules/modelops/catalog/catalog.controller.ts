import { Body, Controller, Get, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblemResponses } from 'src/common/swagger/api-problem-responses.decorator';
import { Auth } from 'src/modules/auth/decorators/auth.decorator';
import { CurrentPrincipal } from 'src/modules/auth/decorators/current-principal.decorator';
import type { Principal } from 'src/modules/auth/principal';
import { CatalogService } from './catalog.service';
import { CatalogItemResponseDto, CreateCatalogItemDto, ListCatalogQueryDto } from './dto/catalog.dto';

@ApiTags('modelops')
@Auth('superadmin')
@Controller('v1/modelops/catalog')
export class ModelCatalogController {
  constructor(private readonly catalog: CatalogService) {}

  @Get()
  @ApiOperation({ summary: 'The curated model catalog, with the managed models made from each entry' })
  @ApiOkResponse({ type: [CatalogItemResponseDto] })
  @ApiProblemResponses(422)
  listModelCatalog(@Query() query: ListCatalogQueryDto): Promise<CatalogItemResponseDto[]> {
    return this.catalog.list(query);
  }

  @Post()
  @ApiOperation({ summary: 'Add a model to the catalog (a hub repository or a cloud model id)' })
  @ApiCreatedResponse({ type: CatalogItemResponseDto })
  @ApiProblemResponses(400, 409, 415, 422)
  createModelCatalogItem(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: CreateCatalogItemDto,
  ): Promise<CatalogItemResponseDto> {
    return this.catalog.create(principal, dto);
  }
}
