import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Auth } from 'src/modules/auth/decorators/auth.decorator';
import { CapabilityResponseDto, ProviderFamilyResponseDto } from './dto/capability.dto';
import { ProvidersService } from './providers.service';

@ApiTags('platform')
@Controller('v1/platform')
export class CapabilitiesController {
  constructor(private readonly providers: ProvidersService) {}

  @Get('capabilities')
  @Auth()
  @ApiOperation({ summary: 'The platform capabilities a deployment binds, and the families that can serve each' })
  @ApiOkResponse({ type: [CapabilityResponseDto] })
  listCapabilities(): Promise<CapabilityResponseDto[]> {
    return this.providers.capabilities();
  }

  @Get('provider-families')
  @Auth('superadmin')
  @ApiOperation({ summary: 'Provider families (read-only), each with its fixed provider_origin' })
  @ApiOkResponse({ type: [ProviderFamilyResponseDto] })
  listProviderFamilies(): Promise<ProviderFamilyResponseDto[]> {
    return this.providers.families();
  }
}
