import { Body, Controller, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblemResponses } from 'src/common/swagger/api-problem-responses.decorator';
import { Auth } from 'src/modules/auth/decorators/auth.decorator';
import { CurrentPrincipal } from 'src/modules/auth/decorators/current-principal.decorator';
import type { Principal } from 'src/modules/auth/principal';
import { DownloadsService } from './downloads.service';
import { CreateDownloadDto, DownloadPageDto, DownloadResponseDto, ListDownloadsQueryDto } from './dto/download.dto';

@ApiTags('modelops')
@Auth('superadmin')
@Controller('v1/modelops/downloads')
export class DownloadsController {
  constructor(private readonly downloads: DownloadsService) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Download a hub repository at the commit its revision points at now (queued; resumable; sha256-checked)',
  })
  @ApiAcceptedResponse({ type: DownloadResponseDto })
  @ApiProblemResponses(400, 404, 409, 415, 422, 502)
  createModelDownload(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: CreateDownloadDto,
  ): Promise<DownloadResponseDto> {
    return this.downloads.create(principal, dto);
  }

  @Get()
  @ApiOperation({ summary: 'List downloads with their progress, newest first' })
  @ApiOkResponse({ type: DownloadPageDto })
  @ApiProblemResponses(422)
  listModelDownloads(@Query() query: ListDownloadsQueryDto): Promise<DownloadPageDto> {
    return this.downloads.list(query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'A download: status, progress (bytes, percent) and files' })
  @ApiOkResponse({ type: DownloadResponseDto })
  @ApiProblemResponses(400, 404)
  getModelDownload(@Param('id', ParseUUIDPipe) id: string): Promise<DownloadResponseDto> {
    return this.downloads.get(id);
  }
}
