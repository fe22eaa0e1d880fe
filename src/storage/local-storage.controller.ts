import { Controller, Get, Param, Query, Res, StreamableFile } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiProblemResponses } from 'src/common/swagger/api-problem-responses.decorator';
import { Public } from 'src/modules/auth/decorators/public.decorator';
import { SignedObjectQueryDto } from 'src/storage/dto/signed-object-query.dto';
import { LocalObjectStorage } from 'src/storage/local.driver';
import { ObjectStorage } from 'src/storage/object-storage';
import { LOCAL_STORAGE_ROUTE } from 'src/storage/storage.constants';
import { ObjectNotFoundException } from 'src/storage/storage.exception';

/**
 * Serves the local driver's signed URLs: the signature is the credential. Mounted only when the
 * local driver is active (see StorageModule).
 */
@ApiTags('storage')
@Controller(LOCAL_STORAGE_ROUTE)
export class LocalStorageController {
  constructor(private readonly storage: ObjectStorage) {}

  @Public()
  @Get('*key')
  @ApiOperation({
    summary: 'Download an object through a signed URL',
    description: 'Only for URLs handed out by the API; they expire after a few minutes.',
  })
  @ApiParam({
    name: 'key',
    type: String,
    description: 'Object key, `/`-separated',
    example: 'artifacts/ws_1/replay.jsonl',
  })
  @ApiOkResponse({
    description: 'The object, with its content type, length and a private cache lifetime',
    content: { '*/*': { schema: { type: 'string', format: 'binary' } } },
  })
  @ApiProblemResponses(400, 403, 404)
  async downloadLocalObject(
    @Param('key') key: string[] | string,
    @Query() query: SignedObjectQueryDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<StreamableFile> {
    // Express 5 hands a named wildcard over as its decoded segments.
    const file = await this.local().openSigned(Array.isArray(key) ? key.join('/') : key, query);
    res.setHeader('Cache-Control', `private, max-age=${file.maxAgeSeconds}`);
    // Stored content is served from the API's own origin: never let it run as a page there.
    res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
    res.setHeader('X-Content-Type-Options', 'nosniff');
    return new StreamableFile(file.stream, {
      type: file.contentType,
      length: file.size,
      disposition: file.contentDisposition,
    });
  }

  private local(): LocalObjectStorage {
    // Unreachable while StorageModule mounts this controller with the local driver only.
    if (!(this.storage instanceof LocalObjectStorage)) throw new ObjectNotFoundException();
    return this.storage;
  }
}
