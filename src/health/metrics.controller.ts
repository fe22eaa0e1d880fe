import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { metricsRegistry } from 'src/common/metrics/http-metrics';
import { Auth } from 'src/modules/auth/decorators/auth.decorator';

@ApiTags('health')
@Auth('superadmin')
@Controller('metrics')
export class MetricsController {
  @Get()
  @Header('Content-Type', metricsRegistry.contentType)
  @ApiProduces('text/plain')
  @ApiOperation({ summary: 'Prometheus metrics (superadmins; scrape with a superadmin API key)' })
  @ApiOkResponse({ description: 'Prometheus text exposition format', schema: { type: 'string' } })
  getMetrics(): Promise<string> {
    return metricsRegistry.metrics();
  }
}
