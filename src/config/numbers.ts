import { z } from 'zod';

/** An integer setting, given as a number or (from the environment) a numeric string, at least `min`. */
export const intFrom = (min: number) => z.coerce.number().int().min(min);
