import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Auth } from 'src/modules/auth/decorators/auth.decorator';
import { CurrentPrincipal } from 'src/modules/auth/decorators/current-principal.decorator';
import type { Principal } from 'src/modules/auth/principal';
import { UserMeResponseDto } from './dto/user-me-response.dto';
import { UsersService } from './users.service';

@ApiTags('users')
@Auth()
@Controller('v1/users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get('me')
  @ApiOperation({ summary: 'The caller: user, workspace and role this request acts with' })
  @ApiOkResponse({ type: UserMeResponseDto })
  getMe(@CurrentPrincipal() principal: Principal): Promise<UserMeResponseDto> {
    return this.users.me(principal);
  }
}
