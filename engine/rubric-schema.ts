/**
 * The rubric file formats: `rubrics/units.yaml` holds the qualification units' assessment criteria
 * word for word; `rubrics/dimensions.yaml` holds the scored dimensions, their levels 0–3, and the
 * criteria each one evidences, by unit and code.
 *
 * @remarks
 * Criteria text lives once, in the units file; dimensions cite codes, and the loader resolves the
 * text, so a score can always be quoted against a qualification without the two drifting apart.
 */
import { z } from 'zod';

const text = z.string().trim().min(1, 'must not be empty');

export const CriterionSchema = z.strictObject({
  /** The code as the unit prints it, e.g. "2.3" or "K11". */
  code: z.string().regex(/^[A-Z]*\d+(?:\.\d+)?$/, 'must be a criterion code such as "2.3" or "K11"'),
  text,
});

export const UnitSchema = z.strictObject({
  /** Short id quoted in reports, e.g. "CS17" or "PA1/3/LQ/061". */
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9/.-]*$/, 'must be a unit code such as "CS17"'),
  title: text,
  awardingBody: text,
  level: z.number().int().min(1).max(8),
  /** The seed document the criteria were transcribed from. */
  source: text,
  criteria: z.array(CriterionSchema).min(1, 'a unit needs at least one criterion'),
});

export const UnitsFileSchema = z.strictObject({
  units: z.array(UnitSchema).min(1, 'list at least one unit'),
});

export const LevelSchema = z.strictObject({
  level: z.number().int().min(0).max(3),
  name: text,
  descriptor: text,
});

export const CitationSchema = z.strictObject({
  unit: text,
  criteria: z.array(text).min(1, 'cite at least one criterion code'),
});

export const DimensionSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be lower-case words joined by hyphens'),
  name: text,
  description: text,
  /** Exactly four levels, 0 to 3, in order. */
  levels: z.array(LevelSchema).length(4, 'needs exactly four levels, 0 to 3'),
  evidences: z.array(CitationSchema).min(1, 'cite the criteria this dimension evidences'),
});

export const DimensionsFileSchema = z.strictObject({
  dimensions: z.array(DimensionSchema).min(1, 'list at least one dimension'),
});

export type Unit = z.infer<typeof UnitSchema>;
export type Dimension = z.infer<typeof DimensionSchema>;
