import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Query,
} from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblemResponses } from 'src/common/swagger/api-problem-responses.decorator';
import { Auth } from 'src/modules/auth/decorators/auth.decorator';
import { CurrentPrincipal } from 'src/modules/auth/decorators/current-principal.decorator';
import type { Principal } from 'src/modules/auth/principal';
import { CreateSuiteDto, ListSuitesQueryDto, SuitePageDto, SuiteResponseDto, UpdateSuiteDto } from './dto/suite.dto';
import { SuitesService } from './suites.service';

/** Suites of the caller's workspace (viewers read, members write). */
@ApiTags('catalog')
@Auth()
@Controller('v1/suites')
export class SuitesController {
  constructor(private readonly suites: SuitesService) {}

  @Get()
  @ApiOperation({ summary: 'List suites by name (cursor paging)' })
  @ApiOkResponse({ type: SuitePageDto })
  @ApiProblemResponses(422)
  listSuites(@CurrentPrincipal() principal: Principal, @Query() query: ListSuitesQueryDto): Promise<SuitePageDto> {
    return this.suites.list(principal, query);
  }

  @Post()
  @ApiOperation({ summary: 'Create a suite (name unique in the workspace)' })
  @ApiCreatedResponse({ type: SuiteResponseDto })
  @ApiProblemResponses(409, 415, 422)
  createSuite(@CurrentPrincipal() principal: Principal, @Body() dto: CreateSuiteDto): Promise<SuiteResponseDto> {
    return this.suites.create(principal, dto);
  }

  @Get(':id')
  @ApiOperation({ summary: 'A suite with its action count' })
  @ApiOkResponse({ type: SuiteResponseDto })
  @ApiProblemResponses(400, 404)
  getSuite(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<SuiteResponseDto> {
    return this.suites.get(principal, id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Rename or describe a suite' })
  @ApiOkResponse({ type: SuiteResponseDto })
  @ApiProblemResponses(400, 404, 409, 415, 422)
  updateSuite(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: UpdateSuiteDto,
  ): Promise<SuiteResponseDto> {
    return this.suites.update(principal, id, dto);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: 'Delete a suite and its actions',
    description: 'Refused with 409 `in_use` while sessions (`sessions.suite_id`) or examples reference it.',
  })
  @ApiNoContentResponse()
  @ApiProblemResponses(400, 404, 409)
  deleteSuite(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string): Promise<void> {
    return this.suites.delete(principal, id);
  }
}
