import { Body, Controller, Get, Param, ParseEnumPipe, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiProblemResponses } from 'src/common/swagger/api-problem-responses.decorator';
import { Auth } from 'src/modules/auth/decorators/auth.decorator';
import { CurrentPrincipal } from 'src/modules/auth/decorators/current-principal.decorator';
import type { Principal } from 'src/modules/auth/principal';
import { KIND_OF_SEGMENT } from '../catalog.constants';
import { GetRegistryEntryQueryDto, RegistryVersionResponseDto, RegistryWriteDto } from './dto/registry.dto';
import { RegistryService } from './registry.service';

const SEGMENTS = { models: 'models', agents: 'agents', tools: 'tools' } as const;
const WRITE_DESCRIPTION =
  'Writes the next immutable version of the entry with `key` (version 1 of a new platform entry unless `classification: user`). The spec is validated by kind; errors name `spec.<field>`.';

/** The generic registry (superadmin): the runtime artifact store behind the typed catalog. */
@ApiTags('catalog')
@Auth('superadmin')
@Controller('v1/registry')
export class RegistryController {
  constructor(private readonly registry: RegistryService) {}

  @Post('models')
  @ApiOperation({ summary: 'Write a model registry version', description: WRITE_DESCRIPTION })
  @ApiCreatedResponse({ type: RegistryVersionResponseDto })
  @ApiProblemResponses(409, 415, 422)
  writeRegistryModel(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: RegistryWriteDto,
  ): Promise<RegistryVersionResponseDto> {
    return this.registry.write(principal, 'model', dto);
  }

  @Post('agents')
  @ApiOperation({ summary: 'Write an agent registry version', description: WRITE_DESCRIPTION })
  @ApiCreatedResponse({ type: RegistryVersionResponseDto })
  @ApiProblemResponses(409, 415, 422)
  writeRegistryAgent(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: RegistryWriteDto,
  ): Promise<RegistryVersionResponseDto> {
    return this.registry.write(principal, 'agent', dto);
  }

  @Post('tools')
  @ApiOperation({
    summary: 'Write a tool registry version',
    description: `${WRITE_DESCRIPTION} Transports: \`mcp\` and \`sandbox_http\` only.`,
  })
  @ApiCreatedResponse({ type: RegistryVersionResponseDto })
  @ApiProblemResponses(409, 415, 422)
  writeRegistryTool(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: RegistryWriteDto,
  ): Promise<RegistryVersionResponseDto> {
    return this.registry.write(principal, 'tool', dto);
  }

  @Get(':kind/:key')
  @ApiOperation({ summary: 'Resolve a registry entry by key: its current version, or `?version=`' })
  @ApiParam({ name: 'kind', enum: Object.keys(SEGMENTS) })
  @ApiOkResponse({ type: RegistryVersionResponseDto })
  @ApiProblemResponses(400, 404, 422)
  getRegistryEntry(
    @CurrentPrincipal() principal: Principal,
    @Param('kind', new ParseEnumPipe(SEGMENTS)) kind: keyof typeof SEGMENTS,
    @Param('key') key: string,
    @Query() query: GetRegistryEntryQueryDto,
  ): Promise<RegistryVersionResponseDto> {
    return this.registry.getByKey(principal, KIND_OF_SEGMENT[kind], key, query.version);
  }
}
