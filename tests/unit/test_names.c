/* A person named in a report is recognised whatever the letter case, the
 * grammatical ending and the script: Russian and Kazakh Cyrillic and their
 * Latin transliterations (passport, older "ya/zh/kh", Kazakh Latin of
 * 2021), both ways, initials against full names. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "workflow/names.h"

static bool in(const char *text, const char *person)
{
	return names_mentioned(text, strlen(text), person);
}

static void surnames_match(void **state)
{
	(void)state;
	assert_true(in("Начальник АХЕТОВ требовал деньги", "Ахетов Марат Сейтович"));
	assert_true(in("деньги передали Ахетову лично", "Ахетов Марат"));
	assert_true(in("бастық Әбенов пара сұрады", "ӘБЕНОВ Қайрат"));
	assert_true(in("Smith asked for a bribe", "smith john"));
	assert_true(in("Ёлкин и другие", "Елкин Иван"));
}

static void others_do_not(void **state)
{
	(void)state;
	assert_false(in("Начальник Петров требовал деньги", "Ахетов Марат"));
	/* inside another word is not a mention */
	assert_false(in("Мухаметов", "Хаметов Ильяс"));
	/* too short a surname alone does not count */
	assert_false(in("Ли сказал", "Ли"));
	assert_false(in("", "Ахетов"));
	assert_false(in("bad \xff bytes", "Ахетов"));
}

/* {text, person}: each pair must match both ways round the scripts. */
static const char *const across[][2] = {
    /* the case of the issue: initials in the report, the full name given */
    {"Ким К.К. требовал деньги", "Kim Kirill"},
    {"Kim K.K. asked for money", "Ким Кирилл Кириллович"},
    {"деньги передали К.К. Киму", "Kim Kirill"},
    {"Kirill Kim asked", "Ким Кирилл"},
    {"Кириллов взял", "Kirillov Ivan"},
    /* Kazakh letters ә ғ қ ң ө ұ ү һ і */
    {"бастық Әлиев", "Aliyev Marat"},
    {"бастық Әлиев", "Äliev Marat"},
    {"Zhumabekov asked", "Жұмабеков Нұрлан"},
    {"Jumabekov asked", "Жұмабеков Нұрлан"},
    {"Жұмабековке берді", "Zhumabekov Nurlan"},
    {"Қасымов", "Kasymov Erlan"},
    {"Қасымов", "Qasymov Erlan"},
    {"Nurgaliyev", "Нұрғалиев Асқар"},
    {"Nurğaliev", "Нұрғалиев Асқар"},
    {"Оңғарбаев", "Ongarbayev Serik"},
    {"Oñğarbaev", "Оңғарбаев Серік"},
    {"Өмірбеков", "Omirbekov Dias"},
    {"Ömirbekov", "Өмірбеков Диас"},
    {"Үсенов", "Usenov Aidos"},
    {"Üsenov", "Үсенов Айдос"},
    {"Ибраһимов", "Ibrahimov Ruslan"},
    {"Тілеуов", "Tileuov Asan"},
    {"Tileuov", "ТІЛЕУОВ Асан"},
    {"Ұлықбек Сәрсенбаев", "Sarsenbayev Ulykbek"},
    {"Baizhanov", "Байжанов Ерлан"},
    {"Bayzhanov", "Байжанов Ерлан"},
    /* Russian letters */
    {"Шевченко", "Shevchenko Anna"},
    {"Щукин", "Shchukin Pavel"},
    {"Schukin", "Щукин Павел"},
    {"Хасенов", "Khassenov Timur"},
    {"Hasenov", "Хасенов Тимур"},
    {"Цой В.", "Tsoy Viktor"},
    {"Tsoi", "Цой Виктор"},
    {"Юсупов", "Yusupov Ildar"},
    {"Iusupov", "Юсупов Ильдар"},
    {"Яковлев", "Yakovlev Oleg"},
    {"Iakovlev", "Яковлев Олег"},
    {"Сергеев", "Sergeyev Igor"},
    {"Sergeev", "Сергеев Игорь"},
    {"Фёдоров", "Fedorov Pyotr"},
    {"Artyomov", "Артёмов Пётр"},
    {"Джумабаев", "Dzhumabaev Arman"},
    {"Jumabaev", "Джумабаев Арман"},
    {"Akhmetov", "Ахметов Марат"},
    {"Ахметовым", "Akhmetov Marat"},
    {"Дмитриев", "Dmitriyev Yuri"},
    {"Чернышёв", "Chernyshev Ivan"},
    {"Çernışev", "Чернышёв Иван"},
    {"Жанна Ли и Мельников", "Mel'nikov Pavel"},
    {"Мельников", "Melnikov Pavel"},
    {"Ниязов", "Niyazov Bolat"},
    {"Niiazov", "Ниязов Болат"},
    {"Эргашев", "Ergashev Timur"},
    {"Щербаков", "Sherbakov Oleg"},
    {"Ковальчук", "Kovalchuk Oksana"},
    {"Ilyin", "Ильин Илья"},
    {"Ковальчук Ґ.", "Kovalchuk Galyna"},
    {"Їжакевич", "Izhakevych Oksana"},
};

static void across_scripts(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(across) / sizeof(across[0]); i++) {
		if (!in(across[i][0], across[i][1]))
			fail_msg("\"%s\" should name %s", across[i][0], across[i][1]);
	}
}

/* {text, person}: no match. */
static const char *const apart[][2] = {
    {"Камера в кабинете", "Kim Kirill"}, /* "kam" is not "kim" */
    {"Комиссия решила", "Kim Kirill"},
    {"Петров П.П.", "Kim Kirill"},
    {"Ким А.Б. сказал", "Kirill Kim"}, /* "Name Surname": the initials disagree */
    {"Ким сказал", "Kirill Kim"},      /* nothing beside it agrees */
    {"Мухаметов", "Hametov Ilyas"},    /* inside another word */
    {"Muhametov", "Хаметов Ильяс"},
    {"Ахметжанов Б.", "Akhmetov Marat"}, /* another surname that starts alike */
    {"Шукуров", "Shchukin Pavel"},
    {"Тсой", "Kim Kirill"},
};

static void apart_stay_apart(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(apart) / sizeof(apart[0]); i++) {
		if (in(apart[i][0], apart[i][1]))
			fail_msg("\"%s\" should not name %s", apart[i][0], apart[i][1]);
	}
}

static void same_person(void **state)
{
	(void)state;
	assert_true(names_same_person("Ким К.К.", "Kim Kirill Kirillovich"));
	assert_true(names_same_person("KIM Kirill", "ким кирилл"));
	assert_true(names_same_person("Жұмабеков Нұрлан", "Zhumabekov N."));
	assert_true(names_same_person("Ахметов", "Akhmetov Marat"));
	assert_false(names_same_person("Ким Анна", "Kim Kirill"));
	assert_false(names_same_person("Ахметжанов Марат", "Akhmetov Marat"));
	assert_false(names_same_person("", "Kim Kirill"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(surnames_match), cmocka_unit_test(others_do_not),
	    cmocka_unit_test(across_scripts), cmocka_unit_test(apart_stay_apart),
	    cmocka_unit_test(same_person),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
