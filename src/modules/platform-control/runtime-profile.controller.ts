import { Body, Controller, Get, Put } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblemResponses } from 'src/common/swagger/api-problem-responses.decorator';
import { Auth } from 'src/modules/auth/decorators/auth.decorator';
import { CurrentPrincipal } from 'src/modules/auth/decorators/current-principal.decorator';
import type { Principal } from 'src/modules/auth/principal';
import { RuntimeProfileResponseDto, UpdateRuntimeProfileDto } from './dto/runtime-profile.dto';
import { RuntimeProfileService } from './runtime-profile.service';

/** The global runtime mode: readable by every authenticated caller, set by superadmins. */
@ApiTags('runtime')
@Controller('v1/runtime/profile')
export class RuntimeProfileController {
  constructor(private readonly profile: RuntimeProfileService) {}

  @Get()
  @Auth()
  @ApiOperation({ summary: 'The runtime profile (online | offline)' })
  @ApiOkResponse({ type: RuntimeProfileResponseDto })
  getRuntimeProfile(): Promise<RuntimeProfileResponseDto> {
    return this.profile.get();
  }

  @Put()
  @Auth('superadmin')
  @ApiOperation({
    summary: 'Set the runtime profile; offline fails closed for cloud providers and the model hub',
    description:
      '409 `offline_provider_blocked` when switching to offline while the active deployment binds cloud providers.',
  })
  @ApiOkResponse({ type: RuntimeProfileResponseDto })
  @ApiProblemResponses(409, 415, 422)
  updateRuntimeProfile(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: UpdateRuntimeProfileDto,
  ): Promise<RuntimeProfileResponseDto> {
    return this.profile.update(principal, dto);
  }
}
