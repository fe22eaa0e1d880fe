import { FindOptionsOrder, FindOptionsSelect, FindOptionsWhere, MoreThan, Repository } from 'typeorm';

/** A table's ids in order, `limit` at a time after `afterId`: for maintenance that walks every row. */
export async function idsAfter<T extends { id: string }>(
  rows: Repository<T>,
  afterId: string | undefined,
  limit: number,
): Promise<string[]> {
  const found = await rows.find({
    select: { id: true } as FindOptionsSelect<T>,
    where: afterId ? ({ id: MoreThan(afterId) } as FindOptionsWhere<T>) : {},
    order: { id: 'ASC' } as FindOptionsOrder<T>,
    take: limit,
  });
  return found.map((r) => r.id);
}
