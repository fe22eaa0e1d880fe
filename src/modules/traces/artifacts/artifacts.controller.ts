import { Controller, Get, Header, HttpStatus, Param, ParseUUIDPipe, Post, Redirect, Req, Res } from '@nestjs/common';
import {
  ApiConsumes,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiResponse,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Consumes } from 'src/common/http/consumes.decorator';
import { ApiProblemResponses } from 'src/common/swagger/api-problem-responses.decorator';
import { Auth } from 'src/modules/auth/decorators/auth.decorator';
import { CurrentPrincipal } from 'src/modules/auth/decorators/current-principal.decorator';
import type { Principal } from 'src/modules/auth/principal';
import { MULTIPART_FORM_DATA } from 'src/modules/sessions/upload/multipart';
import { ArtifactsService } from './artifacts.service';
import { ArtifactResponseDto, RegisterArtifactDto, UPLOAD_ARTIFACT_BODY_SCHEMA } from './dto/artifact.dto';

/** Replays, screenshots and files of a session, in private object storage. */
@ApiTags('artifacts')
@Auth()
@Controller()
export class ArtifactsController {
  constructor(private readonly artifacts: ArtifactsService) {}

  @Post('api/traces/:id/artifacts')
  @Consumes(MULTIPART_FORM_DATA, 'application/json')
  @ApiOperation({
    summary: 'Upload (multipart) or register (JSON) a replay, screenshot or file of the session',
    description:
      'An upload streams the `file` part into private storage. A registration records an object a trusted server ' +
      "already stored under the session's prefix; it must exist and match `size` and `sha256`. Either way an " +
      '`artifact` event carrying the storage path (never a URL) joins the session log.',
    requestBody: {
      required: true,
      content: {
        [MULTIPART_FORM_DATA]: { schema: UPLOAD_ARTIFACT_BODY_SCHEMA },
        'application/json': { schema: { $ref: getSchemaPath(RegisterArtifactDto) } },
      },
    },
  })
  @ApiConsumes(MULTIPART_FORM_DATA, 'application/json')
  @ApiExtraModels(RegisterArtifactDto)
  @ApiCreatedResponse({ type: ArtifactResponseDto, description: 'Stored' })
  @ApiOkResponse({ type: ArtifactResponseDto, description: 'Already registered by an identical earlier request' })
  @ApiProblemResponses(400, 404, 409, 413, 415, 422)
  async createArtifact(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ArtifactResponseDto> {
    const { artifact, created } = await this.artifacts.create(principal, id, req);
    res.status(created ? HttpStatus.CREATED : HttpStatus.OK);
    return artifact;
  }

  @Get('artifacts/:artifact_id')
  @Redirect()
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Redirect to a short-lived signed URL of the artifact (clients never get a lasting URL)' })
  @ApiResponse({
    status: HttpStatus.FOUND,
    description: 'The artifact is at the signed URL in `Location` (valid for SIGNED_URL_TTL_SECONDS)',
    headers: { Location: { description: 'Short-lived signed URL', schema: { type: 'string', format: 'uri' } } },
  })
  @ApiProblemResponses(400, 404)
  async openArtifact(
    @CurrentPrincipal() principal: Principal,
    @Param('artifact_id', ParseUUIDPipe) artifactId: string,
  ): Promise<{ url: string; statusCode: number }> {
    return { url: await this.artifacts.signedUrl(principal, artifactId), statusCode: HttpStatus.FOUND };
  }
}
