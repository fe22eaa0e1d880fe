import { Body, Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblemResponses } from 'src/common/swagger/api-problem-responses.decorator';
import { Auth } from 'src/modules/auth/decorators/auth.decorator';
import { CurrentPrincipal } from 'src/modules/auth/decorators/current-principal.decorator';
import type { Principal } from 'src/modules/auth/principal';
import { DataPlaneService } from './data-plane.service';
import {
  CreateEmbeddingsDto,
  DeleteDocumentsDto,
  DeleteDocumentsResponseDto,
  EmbeddingsResponseDto,
  EnsureIndexDto,
  QueryVectorsDto,
  QueryVectorsResponseDto,
  UpsertDocumentsDto,
  UpsertDocumentsResponseDto,
  VectorIndexResponseDto,
} from './dto/data-plane.dto';

/** Proofs of the embeddings and vector_store data planes, through the active bindings only. */
@ApiTags('platform')
@Auth('superadmin')
@Controller('v1/platform')
export class DataPlaneController {
  constructor(private readonly dataPlane: DataPlaneService) {}

  @Post('embeddings')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Embed texts through the active embeddings binding' })
  @ApiOkResponse({ type: EmbeddingsResponseDto })
  @ApiProblemResponses(409, 415, 422)
  createPlatformEmbeddings(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: CreateEmbeddingsDto,
  ): Promise<EmbeddingsResponseDto> {
    return this.dataPlane.embeddings(principal, dto);
  }

  @Post('vector/indexes/ensure')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Create an index of the active vector_store binding if it is missing' })
  @ApiOkResponse({ type: VectorIndexResponseDto })
  @ApiProblemResponses(409, 415, 422)
  ensureVectorIndex(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: EnsureIndexDto,
  ): Promise<VectorIndexResponseDto> {
    return this.dataPlane.ensureIndex(principal, dto);
  }

  @Post('vector/documents/upsert')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Upsert documents (vectors, or texts embedded through the active embeddings binding)' })
  @ApiOkResponse({ type: UpsertDocumentsResponseDto })
  @ApiProblemResponses(404, 409, 415, 422)
  upsertVectorDocuments(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: UpsertDocumentsDto,
  ): Promise<UpsertDocumentsResponseDto> {
    return this.dataPlane.upsert(principal, dto);
  }

  @Post('vector/query')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Nearest documents by cosine similarity (a query text or a vector)' })
  @ApiOkResponse({ type: QueryVectorsResponseDto })
  @ApiProblemResponses(404, 409, 415, 422)
  queryVectors(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: QueryVectorsDto,
  ): Promise<QueryVectorsResponseDto> {
    return this.dataPlane.query(principal, dto);
  }

  @Post('vector/documents/delete')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Delete documents by id' })
  @ApiOkResponse({ type: DeleteDocumentsResponseDto })
  @ApiProblemResponses(404, 409, 415, 422)
  deleteVectorDocuments(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: DeleteDocumentsDto,
  ): Promise<DeleteDocumentsResponseDto> {
    return this.dataPlane.delete(principal, dto);
  }
}
