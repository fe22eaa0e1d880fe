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
import {
  CreateSuiteActionDto,
  ListSuiteActionsQueryDto,
  SuiteActionPageDto,
  SuiteActionResponseDto,
  UpdateSuiteActionDto,
} from './dto/suite.dto';
import { SuiteActionsService } from './suite-actions.service';

/** The actions of a suite (viewers read, members write). */
@ApiTags('catalog')
@Auth()
@Controller('v1/suites/:suiteId/actions')
export class SuiteActionsController {
  constructor(private readonly actions: SuiteActionsService) {}

  @Get()
  @ApiOperation({ summary: "List a suite's actions by name (cursor paging)" })
  @ApiOkResponse({ type: SuiteActionPageDto })
  @ApiProblemResponses(400, 404, 422)
  listSuiteActions(
    @CurrentPrincipal() principal: Principal,
    @Param('suiteId', ParseUUIDPipe) suiteId: string,
    @Query() query: ListSuiteActionsQueryDto,
  ): Promise<SuiteActionPageDto> {
    return this.actions.list(principal, suiteId, query);
  }

  @Post()
  @ApiOperation({
    summary: 'Add an action',
    description:
      '`parameters_schema` must be a valid JSON Schema with an object root: 422 `invalid_json_schema` names each bad path.',
  })
  @ApiCreatedResponse({ type: SuiteActionResponseDto })
  @ApiProblemResponses(400, 404, 409, 415, 422)
  createSuiteAction(
    @CurrentPrincipal() principal: Principal,
    @Param('suiteId', ParseUUIDPipe) suiteId: string,
    @Body() dto: CreateSuiteActionDto,
  ): Promise<SuiteActionResponseDto> {
    return this.actions.create(principal, suiteId, dto);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One action of a suite' })
  @ApiOkResponse({ type: SuiteActionResponseDto })
  @ApiProblemResponses(400, 404)
  getSuiteAction(
    @CurrentPrincipal() principal: Principal,
    @Param('suiteId', ParseUUIDPipe) suiteId: string,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<SuiteActionResponseDto> {
    return this.actions.get(principal, suiteId, id);
  }

  @Patch(':id')
  @ApiOperation({ summary: "Change an action's name, description or argument schema" })
  @ApiOkResponse({ type: SuiteActionResponseDto })
  @ApiProblemResponses(400, 404, 409, 415, 422)
  updateSuiteAction(
    @CurrentPrincipal() principal: Principal,
    @Param('suiteId', ParseUUIDPipe) suiteId: string,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: UpdateSuiteActionDto,
  ): Promise<SuiteActionResponseDto> {
    return this.actions.update(principal, suiteId, id, dto);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Delete an action' })
  @ApiNoContentResponse()
  @ApiProblemResponses(400, 404)
  deleteSuiteAction(
    @CurrentPrincipal() principal: Principal,
    @Param('suiteId', ParseUUIDPipe) suiteId: string,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<void> {
    return this.actions.delete(principal, suiteId, id);
  }
}
