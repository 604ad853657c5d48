/**
 * MealCategorySource: a student's canteen entitlement category (e.g. "low-income") on a day,
 * for billing by category. A port: the canteen tap does not carry the category (its `meal`
 * record is {window, free, priceKopecks, remainingKopecks}); the registry's canteen
 * entitlements know it. Without a source (or for a token it does not know) the category is ''.
 */
export interface MealCategorySource {
  category(schoolId: string, token: string, day: string): string | null;
}

export class InMemoryMealCategorySource implements MealCategorySource {
  private readonly byKey: Map<string, string>;

  /** entries: [schoolId, token, category], valid on every day. */
  constructor(entries: readonly (readonly [string, string, string])[]) {
    this.byKey = new Map(entries.map(([school, token, category]) => [`${school}\u0000${token}`, category]));
  }

  category(schoolId: string, token: string): string | null {
    return this.byKey.get(`${schoolId}\u0000${token}`) ?? null;
  }
}
